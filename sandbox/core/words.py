"""Word lists and small builders for realistic generated data (names, companies, places).

Written for speed: every helper takes a `Draw` and does a handful of list look-ups.
Vendors compose these into their own record shapes.
"""

from __future__ import annotations

from sandbox.core.draw import Draw


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _phrases(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|"))


FIRST_NAMES = _words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily "
    "Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Rebecca Jason Laura Edward Sharon Jeffrey Cynthia Ryan Amy "
    "Jacob Kathleen Gary Angela Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna Larry "
    "Pamela Justin Nicole Scott Samantha Brandon Katherine Benjamin Christine Samuel Helen "
    "Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia "
    "Dennis Heather Jerry Diane Tyler Julie Aaron Joyce Jose Victoria Adam Lauren Nathan "
    "Kelly Henry Christina Zachary Joan Douglas Evelyn Peter Judith Kyle Andrea Lucia Mateo "
    "Sofia Hugo Chloe Lukas Lena Jonas Elena Pablo Camille Louis Ines Noah Mia Hiroshi Yuki "
    "Priya Arjun Wei Mei Omar Aisha Carlos Valentina Diego Isabella Sven Freya"
)

LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed "
    "Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez "
    "Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker Dubois Lefebvre Moreau Rossi "
    "Russo Ferrari Esposito Bianchi Tanaka Suzuki Sato Watanabe Singh Kumar Chen Wang Larsen "
    "Hansen Johansson Nilsson Kowalski Novak Silva Santos Oliveira Costa Fernandes"
)

COMPANY_WORDS = _words(
    "Acme Globex Initech Umbrella Stark Wayne Wonka Tyrell Cyberdyne Soylent Hooli Vandelay "
    "Pied Aperture Gringotts Oscorp Massive Dynamic Nakatomi Monarch Virtucon Nimbus Zenith "
    "Apex Summit Pioneer Horizon Vertex Quantum Atlas Orion Nova Stellar Polar Cobalt Granite "
    "Harbor Meridian Keystone Beacon Cascade Evergreen Silverline Redwood Bluewater Ironwood "
    "Northwind Contoso Fabrikam Tailspin Litware Proseware Adventure Lucerne Alpine Coho Blue "
    "Yonder Wingtip Trey Fourth Coffee Margie Woodgrove Datum Lamna Humongous Bellows"
)

COMPANY_SUFFIXES = _words(
    "Inc LLC Ltd GmbH S.A. Corp Group Holdings Industries Systems Labs Partners AG S.L. B.V."
)

INDUSTRIES = _phrases(
    "Agriculture | Apparel | Banking | Biotechnology | Chemicals | Communications | "
    "Construction | Consulting | Education | Electronics | Energy | Engineering | "
    "Entertainment | Finance | Food & Beverage | Healthcare | Hospitality | Insurance | "
    "Machinery | Manufacturing | Media | Retail | Technology | Transportation | Utilities"
)

# (city, state/region, country name, ISO country code, postal code prefix, phone prefix)
PLACES = (
    ("San Francisco", "CA", "United States", "US", "941", "+1 415"),
    ("New York", "NY", "United States", "US", "100", "+1 212"),
    ("Austin", "TX", "United States", "US", "787", "+1 512"),
    ("Chicago", "IL", "United States", "US", "606", "+1 312"),
    ("Seattle", "WA", "United States", "US", "981", "+1 206"),
    ("Boston", "MA", "United States", "US", "021", "+1 617"),
    ("Toronto", "ON", "Canada", "CA", "M5V", "+1 416"),
    ("London", "England", "United Kingdom", "GB", "EC1", "+44 20"),
    ("Manchester", "England", "United Kingdom", "GB", "M1", "+44 161"),
    ("Dublin", "Leinster", "Ireland", "IE", "D02", "+353 1"),
    ("Berlin", "Berlin", "Germany", "DE", "101", "+49 30"),
    ("Munich", "Bavaria", "Germany", "DE", "803", "+49 89"),
    ("Paris", "Ile-de-France", "France", "FR", "750", "+33 1"),
    ("Lyon", "Auvergne-Rhone-Alpes", "France", "FR", "690", "+33 4"),
    ("Madrid", "Madrid", "Spain", "ES", "280", "+34 91"),
    ("Barcelona", "Catalonia", "Spain", "ES", "080", "+34 93"),
    ("Milan", "Lombardy", "Italy", "IT", "201", "+39 02"),
    ("Amsterdam", "North Holland", "Netherlands", "NL", "101", "+31 20"),
    ("Stockholm", "Stockholm", "Sweden", "SE", "111", "+46 8"),
    ("Zurich", "Zurich", "Switzerland", "CH", "800", "+41 44"),
    ("Mexico City", "CDMX", "Mexico", "MX", "064", "+52 55"),
    ("Sao Paulo", "SP", "Brazil", "BR", "014", "+55 11"),
    ("Buenos Aires", "CABA", "Argentina", "AR", "C10", "+54 11"),
    ("Tokyo", "Tokyo", "Japan", "JP", "100", "+81 3"),
    ("Singapore", "Singapore", "Singapore", "SG", "018", "+65"),
    ("Sydney", "NSW", "Australia", "AU", "200", "+61 2"),
    ("Bangalore", "Karnataka", "India", "IN", "560", "+91 80"),
)

CURRENCY_BY_COUNTRY = {
    "US": "USD",
    "CA": "CAD",
    "GB": "GBP",
    "IE": "EUR",
    "DE": "EUR",
    "FR": "EUR",
    "ES": "EUR",
    "IT": "EUR",
    "NL": "EUR",
    "SE": "SEK",
    "CH": "CHF",
    "MX": "MXN",
    "BR": "BRL",
    "AR": "ARS",
    "JP": "JPY",
    "SG": "SGD",
    "AU": "AUD",
    "IN": "INR",
}

STREETS = _phrases(
    "Main St | Oak Ave | Market St | Mission St | Broadway | Elm St | Maple Ave | Park Ave | "
    "Cedar Rd | High St | King St | Station Rd | Mill Ln | Harbor Blvd | Industrial Way | "
    "Commerce Dr | Innovation Way"
)

JOB_TITLES = _phrases(
    "CEO | CFO | CTO | COO | VP Sales | VP Operations | Head of Procurement | Purchasing "
    "Manager | Operations Manager | IT Director | Finance Manager | Account Executive | Sales "
    "Manager | Office Manager | Supply Chain Lead | Warehouse Manager | Marketing Director | "
    "Controller | Buyer | Engineer"
)

DEPARTMENTS = ("Sales", "Finance", "Operations", "IT", "Procurement", "Marketing", "Executive")

LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Trade Show", "Other")

PRODUCT_ADJECTIVES = _words(
    "Premium Standard Compact Heavy-Duty Deluxe Eco Pro Ultra Mini Classic Smart Rugged "
    "Industrial Portable Advanced Basic Wireless Modular Precision Thermal"
)

PRODUCT_NOUNS = _words(
    "Toothpick Dispenser Widget Gadget Sprocket Bracket Valve Pump Sensor Cable Adapter Panel "
    "Filter Bearing Gear Motor Switch Hinge Clamp Fastener Tray Crate Pallet Spool Cartridge "
    "Module Controller Router Drill Saw Blade Brush Nozzle Gasket Spring Lever"
)

COLORS = _words("BLK WHT RED BLU GRN YEL SLV GRY ORG NAT")

UNITS = ("EA", "BOX", "PK", "KG", "M", "L", "SET", "PAL")

SUBJECTS = _phrases(
    "Follow up on proposal | Send pricing | Schedule demo | Quarterly business review | Call "
    "about renewal | Confirm delivery date | Negotiate contract terms | Introduce new product "
    "line | Collect feedback | Onboarding kickoff | Check stock availability | Discuss volume "
    "discount"
)


def person(draw: Draw) -> tuple[str, str]:
    return draw.choice(FIRST_NAMES), draw.choice(LAST_NAMES)


def company(draw: Draw) -> str:
    first = draw.choice(COMPANY_WORDS)
    if draw.chance(40):
        return f"{first} {draw.choice(COMPANY_WORDS)} {draw.choice(COMPANY_SUFFIXES)}"
    return f"{first} {draw.choice(COMPANY_SUFFIXES)}"


def domain_of(company_name: str) -> str:
    word = company_name.split(" ", 1)[0].lower()
    return f"{word}.example.com"


def email(first: str, last: str, domain: str, index: int) -> str:
    # The index keeps addresses unique, which dedup-by-email vendors (HubSpot) rely on.
    return f"{first.lower()}.{last.lower()}{index}@{domain}"


def place(draw: Draw) -> tuple[str, str, str, str, str, str]:
    return draw.choice(PLACES)


def street(draw: Draw) -> str:
    return f"{draw.between(1, 9999)} {draw.choice(STREETS)}"


def phone(draw: Draw, prefix: str) -> str:
    number = draw.below(10_000_000)
    return f"{prefix} {number // 10_000:03d} {number % 10_000:04d}"


def product_name(draw: Draw) -> str:
    return f"{draw.choice(PRODUCT_ADJECTIVES)} {draw.choice(PRODUCT_NOUNS)}"


def sku(draw: Draw, index: int) -> str:
    return f"TP-{index + 10000:06d}-{draw.choice(COLORS)}"


# --- pre-drawn tables ------------------------------------------------------------------
# Generators pick whole rows from these instead of drawing every word separately: one
# draw per person/company/address instead of five, which halves the cost of a record.
# Built once at import from a fixed seed, so they are the same in every process.

Person = tuple[str, str, str, str, str]  # first, last, salutation, title, department
Company = tuple[str, str, str]  # name, domain, industry
Address = tuple[
    str, str, str, str, str, str, str
]  # street, city, state, country, code, postal, phone prefix

_SALUTATIONS = ("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.")


def _tables() -> tuple[tuple[Person, ...], tuple[Company, ...], tuple[Address, ...]]:
    from sandbox.core.draw import collection_key

    key = collection_key("sandbox-word-tables", 1)
    people: list[Person] = []
    for i in range(4096):
        d = Draw(key, i)
        first, last = person(d)
        people.append(
            (first, last, d.choice(_SALUTATIONS), d.choice(JOB_TITLES), d.choice(DEPARTMENTS))
        )
    companies: list[Company] = []
    for i in range(2048):
        d = Draw(key, 10_000 + i)
        name = company(d)
        companies.append((name, domain_of(name), d.choice(INDUSTRIES)))
    addresses: list[Address] = []
    for i in range(2048):
        d = Draw(key, 20_000 + i)
        city, state, country, code, postal, prefix = place(d)
        addresses.append((street(d), city, state, country, code, f"{postal}{d.digits(2)}", prefix))
    return tuple(people), tuple(companies), tuple(addresses)


PEOPLE, COMPANIES, ADDRESSES = _tables()
