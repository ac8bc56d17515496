from motor_trainer.cli import main

raise SystemExit(main())
