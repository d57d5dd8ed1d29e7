"""Scoring: the supervisors' half of QA Center, one Django app per domain.

rules        rule libraries and their versions, trying and activating them
calls        calls, their import, the automatic checks and rescoring
evaluations  scorecards, evaluations of calls on them, their history
sampling     专项抽检: weekly sampling plans and supervisors' queues
disputes     申诉: agents dispute items, the review group rules
calibration  校准: blind scoring of one call by several supervisors, agreement statistics
engine       the compliance engine: plain Python, no Django (shared by the CLI, pages, workers)
"""
