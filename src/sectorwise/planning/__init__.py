"""A partnership's own planning: the maturity self-assessment, the action plan with employer-ranked
priorities, and funding raised beyond state grants.
"""
