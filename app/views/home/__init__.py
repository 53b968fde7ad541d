"""The home screen: what waits for the officer, and what is approved where."""
