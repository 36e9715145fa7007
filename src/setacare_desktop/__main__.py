"""``python -m setacare_desktop`` does what the ``setacare`` command does."""

from setacare_desktop.app import main

raise SystemExit(main())
