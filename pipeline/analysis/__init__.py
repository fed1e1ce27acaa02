"""Analysis over the aligned rows: what needs the whole corpus and its entities (conflicting figures)."""
