"""Scripts and languages: which script a text is written in, and how its words are found."""
