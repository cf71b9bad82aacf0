"""Schedule: class types, recurring series and the classes they create."""
