"""`python -m pill_compare` is the same as `pillcmp`."""

from pill_compare.cli import main

if __name__ == "__main__":
    main()
