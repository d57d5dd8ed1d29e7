"""Inspections (稽核验证层): full self-inspection, special sampling inspection (the sampling plans), third-party evaluation imports."""
