"""Standards library (质量支撑层): systems, processes with steps, answer specifications; versions, lifecycle, attachments, rollout (宣贯)."""
