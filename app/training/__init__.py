"""Training: the exercise library (built-in exercises shared by every studio, plus a studio's
own)."""
