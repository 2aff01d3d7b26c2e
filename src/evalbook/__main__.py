from evalbook.cli.commands import main

raise SystemExit(main())
