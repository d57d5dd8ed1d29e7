"""Audits: the quality structure's three layers, one Django app per domain.

actions      措施: corrective actions with follow-up and verification of effectiveness
standards    标准库: systems, processes, answer specifications; versions; rollout (宣贯)
inspections  全面自检, 专项抽检 (the sampling plans), 三方测评
walkthroughs 流程制度穿越: the monthly walk-through with its one-hour document window
layers       the three layers' pages, each standard's closed loop, the monthly audit reports
"""
