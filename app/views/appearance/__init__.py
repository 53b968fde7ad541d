"""How the workstation looks: the light, dark and system themes, and the colours that follow them."""
