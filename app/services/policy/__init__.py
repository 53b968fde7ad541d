"""The officer's metric policy: which way is better for each metric, or its target.

:mod:`.terms` reads a metric's name against the policy's terms;
:mod:`.policies` holds the shipped policy and the officer's versions in the registry.
"""
