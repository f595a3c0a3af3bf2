"""Applications: from "I would like to volunteer" to a decision."""
