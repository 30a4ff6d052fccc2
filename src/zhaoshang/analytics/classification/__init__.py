"""Which GB/T 4754 class and which chain nodes a firm belongs to."""
