"""lactlog: how much high-lactate stimulus did this training give?"""
