"""python -m fiscalpub.cli"""

from fiscalpub.cli import main

main()
