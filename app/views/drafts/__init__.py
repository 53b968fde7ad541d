"""The card draft editor: the team's side of the flow, in the window."""
