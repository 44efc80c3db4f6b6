"""The views that show the network itself: every unit's map, and the weights with their formula."""
