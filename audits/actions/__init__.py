"""Corrective actions (措施): one model used by audit findings, inspection nonconformities, bulletin improvement targets and KPI shortfalls; follow-up, verification of effectiveness, escalation."""
