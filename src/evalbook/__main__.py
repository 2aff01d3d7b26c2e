from evalbook.cli import main

raise SystemExit(main())
