from motor_trainer.cli import main

if __name__ == "__main__":  # not when a batch worker process imports this module
    raise SystemExit(main())
