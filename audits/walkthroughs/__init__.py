"""The monthly process walk-through (流程制度穿越): draw, one-hour document window, drill, findings, verdict, score."""
