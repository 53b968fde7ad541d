"""The Compare tab: two card versions side by side."""
