"""`python -m linkaudit`."""

from linkaudit.cli import main

if __name__ == "__main__":  # a worker process (`linkaudit.workers`) imports this module again
    main()
