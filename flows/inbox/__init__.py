"""The staff inbox: which texts need a person, when one answers, and a case's life."""
