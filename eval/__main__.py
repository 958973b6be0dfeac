"""`python -m eval`: the accuracy suite (also `clerk eval`)."""

from eval.cli import eval_command

if __name__ == "__main__":
    eval_command(prog_name="python -m eval")
