"""Use cases of courses and certificates: defining a course (courses.py), issuing, revoking,
reissuing and renewing certificates (issuing.py), and what their PDFs show (documents.py)."""
