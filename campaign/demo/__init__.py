"""Demo and scale campaign generators (rows only; data_access loads them)."""

from campaign.demo.generator import DemoConfig, DemoData, generate_demo

__all__ = ["DemoConfig", "DemoData", "generate_demo"]
