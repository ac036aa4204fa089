"""Protocol rules (PRO001-PRO004): resource protocols declared as data in kpatchlint/rules/*.yaml."""
