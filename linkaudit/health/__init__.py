"""Link health over time: the run history, the scheduled report and `linkaudit fix`."""
