"""The iWmo/iJw 3.2 message exchange with the providers' client systems (docs/berichten.md).

Import the modules themselves (``from workflows.berichten import outgoing``): this package's
``__init__`` imports nothing, so ``workflows.trajectories`` can use ``outgoing`` while
``incoming`` uses ``workflows.trajectories`` without a circle.
"""
