"""A generated demo corpus of Java projects and a runner that shows a whole job."""
