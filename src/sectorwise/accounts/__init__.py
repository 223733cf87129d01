"""Users, the role each holds, the organisation each acts for, API tokens, login and logout."""
