"""Progress against the agreement's commitments: updates, milestones, meetings, outreach."""
