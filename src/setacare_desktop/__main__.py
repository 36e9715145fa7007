"""``python -m setacare_desktop`` does what the ``setacare`` command does."""

from setacare_desktop.entry import main

raise SystemExit(main())
