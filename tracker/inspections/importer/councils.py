"""England's councils with children's services, by place name, for naming the council of a
document that gives only the place ("Focused visit to Warrington children's services").

Reference data, not a list of documents: every upper-tier council since 2009, with its
name as the council uses it, and for councils that were reorganised, the years each name
applies to. A document that names its council in full ("Plymouth City Council", "London
Borough of Bromley") is taken at its word; this table is only the fallback.
"""

from __future__ import annotations

import re
from functools import cache

# (place, council, first year, last year): None for no limit.
_COUNCILS: list[tuple[str, str, int | None, int | None]] = [
    # Counties
    ("Bedfordshire", "Bedfordshire County Council", None, 2009),
    ("Buckinghamshire", "Buckinghamshire County Council", None, 2019),
    ("Buckinghamshire", "Buckinghamshire Council", 2020, None),
    ("Cambridgeshire", "Cambridgeshire County Council", None, None),
    ("Cheshire", "Cheshire County Council", None, 2009),
    ("Cumbria", "Cumbria County Council", None, 2022),
    ("Derbyshire", "Derbyshire County Council", None, None),
    ("Devon", "Devon County Council", None, None),
    ("Dorset", "Dorset County Council", None, 2018),
    ("Dorset", "Dorset Council", 2019, None),
    ("East Sussex", "East Sussex County Council", None, None),
    ("Essex", "Essex County Council", None, None),
    ("Gloucestershire", "Gloucestershire County Council", None, None),
    ("Hampshire", "Hampshire County Council", None, None),
    ("Hertfordshire", "Hertfordshire County Council", None, None),
    ("Kent", "Kent County Council", None, None),
    ("Lancashire", "Lancashire County Council", None, None),
    ("Leicestershire", "Leicestershire County Council", None, None),
    ("Lincolnshire", "Lincolnshire County Council", None, None),
    ("Norfolk", "Norfolk County Council", None, None),
    ("North Yorkshire", "North Yorkshire County Council", None, 2022),
    ("North Yorkshire", "North Yorkshire Council", 2023, None),
    ("Northamptonshire", "Northamptonshire County Council", None, 2020),
    ("Nottinghamshire", "Nottinghamshire County Council", None, None),
    ("Oxfordshire", "Oxfordshire County Council", None, None),
    ("Somerset", "Somerset County Council", None, 2022),
    ("Somerset", "Somerset Council", 2023, None),
    ("Staffordshire", "Staffordshire County Council", None, None),
    ("Suffolk", "Suffolk County Council", None, None),
    ("Surrey", "Surrey County Council", None, None),
    ("Warwickshire", "Warwickshire County Council", None, None),
    ("West Sussex", "West Sussex County Council", None, None),
    ("Worcestershire", "Worcestershire County Council", None, None),
    # Unitary councils
    ("Bath and North East Somerset", "Bath and North East Somerset Council", None, None),
    ("Bedford", "Bedford Borough Council", 2009, None),
    ("Blackburn with Darwen", "Blackburn with Darwen Borough Council", None, None),
    ("Blackpool", "Blackpool Council", None, None),
    ("Bournemouth", "Bournemouth Borough Council", None, 2018),
    ("Poole", "Borough of Poole", None, 2018),
    (
        "Bournemouth, Christchurch and Poole",
        "Bournemouth, Christchurch and Poole Council",
        2019,
        None,
    ),
    ("Bracknell Forest", "Bracknell Forest Council", None, None),
    ("Brighton and Hove", "Brighton and Hove City Council", None, None),
    ("Bristol", "Bristol City Council", None, None),
    ("Central Bedfordshire", "Central Bedfordshire Council", 2009, None),
    ("Cheshire East", "Cheshire East Council", 2009, None),
    ("Cheshire West and Chester", "Cheshire West and Chester Council", 2009, None),
    ("Cornwall", "Cornwall Council", None, None),
    ("Cumberland", "Cumberland Council", 2023, None),
    ("Darlington", "Darlington Borough Council", None, None),
    ("Derby", "Derby City Council", None, None),
    ("Durham", "Durham County Council", None, None),
    ("County Durham", "Durham County Council", None, None),
    ("East Riding of Yorkshire", "East Riding of Yorkshire Council", None, None),
    ("Halton", "Halton Borough Council", None, None),
    ("Hartlepool", "Hartlepool Borough Council", None, None),
    ("Herefordshire", "Herefordshire Council", None, None),
    ("Isle of Wight", "Isle of Wight Council", None, None),
    ("Isles of Scilly", "Council of the Isles of Scilly", None, None),
    ("Kingston upon Hull", "Kingston upon Hull City Council", None, None),
    ("Hull", "Kingston upon Hull City Council", None, None),
    ("Leicester", "Leicester City Council", None, None),
    ("Luton", "Luton Borough Council", None, None),
    ("Medway", "Medway Council", None, None),
    ("Middlesbrough", "Middlesbrough Council", None, None),
    ("Milton Keynes", "Milton Keynes Council", None, 2021),
    ("Milton Keynes", "Milton Keynes City Council", 2022, None),
    ("North East Lincolnshire", "North East Lincolnshire Council", None, None),
    ("North Lincolnshire", "North Lincolnshire Council", None, None),
    ("North Northamptonshire", "North Northamptonshire Council", 2021, None),
    ("North Somerset", "North Somerset Council", None, None),
    ("Northumberland", "Northumberland County Council", None, None),
    ("Nottingham", "Nottingham City Council", None, None),
    ("Peterborough", "Peterborough City Council", None, None),
    ("Plymouth", "Plymouth City Council", None, None),
    ("Portsmouth", "Portsmouth City Council", None, None),
    ("Reading", "Reading Borough Council", None, None),
    ("Redcar and Cleveland", "Redcar and Cleveland Borough Council", None, None),
    ("Rutland", "Rutland County Council", None, None),
    ("Shropshire", "Shropshire Council", None, None),
    ("Slough", "Slough Borough Council", None, None),
    ("South Gloucestershire", "South Gloucestershire Council", None, None),
    ("Southampton", "Southampton City Council", None, None),
    ("Southend-on-Sea", "Southend-on-Sea Borough Council", None, 2021),
    ("Southend-on-Sea", "Southend-on-Sea City Council", 2022, None),
    ("Southend", "Southend-on-Sea Borough Council", None, 2021),
    ("Southend", "Southend-on-Sea City Council", 2022, None),
    ("Stockton-on-Tees", "Stockton-on-Tees Borough Council", None, None),
    ("Stoke-on-Trent", "Stoke-on-Trent City Council", None, None),
    ("Swindon", "Swindon Borough Council", None, None),
    ("Telford and Wrekin", "Telford and Wrekin Council", None, None),
    ("Thurrock", "Thurrock Council", None, None),
    ("Torbay", "Torbay Council", None, None),
    ("Warrington", "Warrington Borough Council", None, None),
    ("West Berkshire", "West Berkshire Council", None, None),
    ("West Northamptonshire", "West Northamptonshire Council", 2021, None),
    ("Westmorland and Furness", "Westmorland and Furness Council", 2023, None),
    ("Wiltshire", "Wiltshire Council", None, None),
    ("Windsor and Maidenhead", "Royal Borough of Windsor and Maidenhead", None, None),
    ("Wokingham", "Wokingham Borough Council", None, None),
    ("York", "City of York Council", None, None),
    # Metropolitan boroughs
    ("Barnsley", "Barnsley Metropolitan Borough Council", None, None),
    ("Birmingham", "Birmingham City Council", None, None),
    ("Bolton", "Bolton Metropolitan Borough Council", None, None),
    ("Bradford", "City of Bradford Metropolitan District Council", None, None),
    ("Bury", "Bury Metropolitan Borough Council", None, None),
    ("Calderdale", "Calderdale Metropolitan Borough Council", None, None),
    ("Coventry", "Coventry City Council", None, None),
    ("Doncaster", "Doncaster Metropolitan Borough Council", None, 2021),
    ("Doncaster", "City of Doncaster Council", 2022, None),
    ("Dudley", "Dudley Metropolitan Borough Council", None, None),
    ("Gateshead", "Gateshead Metropolitan Borough Council", None, None),
    ("Kirklees", "Kirklees Council", None, None),
    ("Knowsley", "Knowsley Metropolitan Borough Council", None, None),
    ("Leeds", "Leeds City Council", None, None),
    ("Liverpool", "Liverpool City Council", None, None),
    ("Manchester", "Manchester City Council", None, None),
    ("Newcastle upon Tyne", "Newcastle City Council", None, None),
    ("Newcastle", "Newcastle City Council", None, None),
    ("North Tyneside", "North Tyneside Council", None, None),
    ("Oldham", "Oldham Metropolitan Borough Council", None, None),
    ("Rochdale", "Rochdale Borough Council", None, None),
    ("Rotherham", "Rotherham Metropolitan Borough Council", None, None),
    ("Salford", "Salford City Council", None, None),
    ("Sandwell", "Sandwell Metropolitan Borough Council", None, None),
    ("Sefton", "Sefton Metropolitan Borough Council", None, None),
    ("Sheffield", "Sheffield City Council", None, None),
    ("Solihull", "Solihull Metropolitan Borough Council", None, None),
    ("South Tyneside", "South Tyneside Council", None, None),
    ("St Helens", "St Helens Borough Council", None, None),
    ("Stockport", "Stockport Metropolitan Borough Council", None, None),
    ("Sunderland", "Sunderland City Council", None, None),
    ("Tameside", "Tameside Metropolitan Borough Council", None, None),
    ("Trafford", "Trafford Metropolitan Borough Council", None, None),
    ("Wakefield", "City of Wakefield Metropolitan District Council", None, None),
    ("Walsall", "Walsall Metropolitan Borough Council", None, None),
    ("Wigan", "Wigan Metropolitan Borough Council", None, None),
    ("Wirral", "Wirral Metropolitan Borough Council", None, None),
    ("Wolverhampton", "City of Wolverhampton Council", None, None),
    # London
    ("City of London", "City of London Corporation", None, None),
    ("Barking and Dagenham", "London Borough of Barking and Dagenham", None, None),
    ("Barnet", "London Borough of Barnet", None, None),
    ("Bexley", "London Borough of Bexley", None, None),
    ("Brent", "London Borough of Brent", None, None),
    ("Bromley", "London Borough of Bromley", None, None),
    ("Camden", "London Borough of Camden", None, None),
    ("Croydon", "London Borough of Croydon", None, None),
    ("Ealing", "London Borough of Ealing", None, None),
    ("Enfield", "London Borough of Enfield", None, None),
    ("Greenwich", "Royal Borough of Greenwich", None, None),
    ("Hackney", "London Borough of Hackney", None, None),
    ("Hammersmith and Fulham", "London Borough of Hammersmith and Fulham", None, None),
    ("Haringey", "London Borough of Haringey", None, None),
    ("Harrow", "London Borough of Harrow", None, None),
    ("Havering", "London Borough of Havering", None, None),
    ("Hillingdon", "London Borough of Hillingdon", None, None),
    ("Hounslow", "London Borough of Hounslow", None, None),
    ("Islington", "London Borough of Islington", None, None),
    ("Kensington and Chelsea", "Royal Borough of Kensington and Chelsea", None, None),
    ("Kingston upon Thames", "Royal Borough of Kingston upon Thames", None, None),
    ("Lambeth", "London Borough of Lambeth", None, None),
    ("Lewisham", "London Borough of Lewisham", None, None),
    ("Merton", "London Borough of Merton", None, None),
    ("Newham", "London Borough of Newham", None, None),
    ("Redbridge", "London Borough of Redbridge", None, None),
    ("Richmond upon Thames", "London Borough of Richmond upon Thames", None, None),
    ("Southwark", "London Borough of Southwark", None, None),
    ("Sutton", "London Borough of Sutton", None, None),
    ("Tower Hamlets", "London Borough of Tower Hamlets", None, None),
    ("Waltham Forest", "London Borough of Waltham Forest", None, None),
    ("Wandsworth", "London Borough of Wandsworth", None, None),
    ("Westminster", "Westminster City Council", None, None),
]

# "… County Council", "… Metropolitan Borough Council", "London Borough of …": what is
# left when these are taken off a council's name is its place.
_SUFFIX_RE = re.compile(
    r"\s+(?:(?:county|city|borough|metropolitan borough|metropolitan district|district)\s+)?"
    r"council$",
    re.IGNORECASE,
)
_PREFIX_RE = re.compile(
    r"^(?:(?:the\s+)?(?:london|royal)\s+borough\s+of|city\s+of|borough\s+of"
    r"|council\s+of\s+the)\s+",
    re.IGNORECASE,
)


def _key(place: str) -> str:
    return " ".join(place.replace("’", "'").replace(",", " ").lower().split())


@cache
def _by_place() -> dict[str, list[tuple[str, int | None, int | None]]]:
    table: dict[str, list[tuple[str, int | None, int | None]]] = {}
    for place, name, first, last in _COUNCILS:
        table.setdefault(_key(place), []).append((name, first, last))
    return table


@cache
def place_pattern() -> re.Pattern[str]:
    """A pattern matching any place name of the table, longest names first."""
    places = sorted({place for place, *_ in _COUNCILS}, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(p) for p in places) + r")\b")


def council_for_place(place: str, year: int | None = None) -> str | None:
    """The council of a place ("Warrington" → "Warrington Borough Council"), in `year` when
    the council was reorganised; None for a place the table does not know."""
    names = _by_place().get(_key(place))
    if not names:
        return None
    if year is not None:
        for name, first, last in names:
            if (first is None or year >= first) and (last is None or year <= last):
                return name
    return names[-1][0]


def place_of(council: str) -> str:
    """The place in a council's name: "Plymouth City Council" → "Plymouth"."""
    place = _SUFFIX_RE.sub("", council.strip())
    return _PREFIX_RE.sub("", place).strip()


def is_known_place(place: str) -> bool:
    """Whether the table has the place."""
    return _key(place) in _by_place()
