"""People: the volunteers list for staff, and one page per person linking to every domain's record of them."""
