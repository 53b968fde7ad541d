"""What each ``countersign`` subcommand does, one module per group of commands.

Modules are imported only when their command runs, so that starting the
window or printing ``--help`` stays light.
"""
