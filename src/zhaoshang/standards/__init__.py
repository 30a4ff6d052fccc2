"""Public standards and the ways official tables write things, as plain Python with no Django: GB/T 2260
divisions, GB/T 4754-2017 industry classes, code checks (USCC, adcodes), and the parsing of units, amounts and
dates as officials write them. The bottom layer: everything may import it, it imports nothing of the project.
"""
