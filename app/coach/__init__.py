"""The coach's day across domains: classes with their rosters and 1:1 sessions, per studio zone."""
