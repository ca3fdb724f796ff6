"""Material stock (A_MatlStkInAcctMod) and the id schemes of the SAP objects.

A stock record is one of a few fixed (plant, storage location, stock type)
slots of one material, so record `i` is slot `i % len(slots)` of material
`i // len(slots)` and its eleven-part key is a pure function of `i`. The
sandbox id of a stock record is the key's significant parts joined by `_`
(the OData key itself is rendered from the record's fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.core import Draw, GenContext

# (storage location suffix, stock type): 01 unrestricted use, 02 quality inspection, 07 blocked
SLOTS = (("1A", "01"), ("1A", "02"), ("2A", "01"), ("1A", "07"))


@dataclass(frozen=True, slots=True)
class ProductIds:
    """SAP product numbers such as TG000123 (external numbering with a prefix)."""

    prefix: str = "TG"

    def format(self, index: int) -> str:
        return f"{self.prefix}{index + 1:06d}"

    def parse(self, record_id: str) -> int | None:
        digits = record_id.removeprefix(self.prefix)
        if digits == record_id or not digits.isdigit() or len(digits) > 12:
            return None
        index = int(digits) - 1
        return index if index >= 0 and self.format(index) == record_id else None


@dataclass(frozen=True, slots=True)
class StockIds:
    """`<material>_<plant>_<storage location>_<stock type>` for slot-structured stock."""

    products: ProductIds
    plants: tuple[str, ...]

    def slot(self, index: int) -> tuple[str, str, str]:
        suffix, stock_type = SLOTS[index % len(SLOTS)]
        plant = self.plants[(index // len(SLOTS)) % len(self.plants)]
        return plant, plant[:2] + suffix, stock_type

    def format(self, index: int) -> str:
        plant, location, stock_type = self.slot(index)
        return f"{self.products.format(index // len(SLOTS))}_{plant}_{location}_{stock_type}"

    def parse(self, record_id: str) -> int | None:
        parts = record_id.split("_")
        if len(parts) != 4:
            return None
        material = self.products.parse(parts[0])
        if material is None:
            return None
        for offset in range(len(SLOTS)):
            index = material * len(SLOTS) + offset
            if self.format(index) == record_id:
                return index
        return None


def gen_stock(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    ids = StockIds(ProductIds(), tuple(ctx.settings["plants"]))
    plant, location, stock_type = ids.slot(index)
    unrestricted = stock_type == "01"
    quantity = Decimal(draw.between(0, 5_000) if unrestricted else draw.between(0, 80))
    return {
        "Material": ctx.id_of("A_Product", index // len(SLOTS)),
        "Plant": plant,
        "StorageLocation": location,
        "Batch": "",
        "Supplier": "",
        "Customer": "",
        "WBSElementInternalID": "00000000",
        "SDDocument": "",
        "SDDocumentItem": "000000",
        "InventorySpecialStockType": "",
        "InventoryStockType": stock_type,
        "WBSElementExternalID": "",
        "MaterialBaseUnit": draw.choice(("PC", "EA", "KG")),
        "MatlWrhsStkQtyInMatlBaseUnit": f"{quantity:.14f}",
    }
