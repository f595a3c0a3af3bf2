"""Reports: the managers' dashboard (pipeline, time in stage, lapses, areas, hours, training) and the funder
reports for a financial quarter or year, each with a CSV download."""
