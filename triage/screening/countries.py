"""Country names as the lists spell them, to ISO 3166-1 alpha-2 codes.

The lists name countries in their own ways ("Korea, North", "Democratic
People's Republic of Korea", "Iran (Islamic Republic of)", "Burma", "PRC"),
and a query may give a code or a name. `country_code` folds the name and
looks it up here; an unknown name gives None.
"""

from __future__ import annotations

from triage.text import fold

__all__ = ["country_code"]

# code: name | other names (folded before lookup); a code may take several
# lines. Every ISO 3166-1 alpha-2 code is here, plus XK (Kosovo), AN
# (Netherlands Antilles) and the variants the three lists use.
_TABLE = """
AD Andorra
AE United Arab Emirates|UAE|U.A.E.|Emirates
AF Afghanistan
AG Antigua and Barbuda
AI Anguilla
AL Albania
AM Armenia
AO Angola
AQ Antarctica
AR Argentina
AS American Samoa
AT Austria
AU Australia
AW Aruba
AX Aland Islands
AZ Azerbaijan
BA Bosnia and Herzegovina|Bosnia-Herzegovina|Bosnia
BB Barbados
BD Bangladesh
BE Belgium
BF Burkina Faso
BG Bulgaria
BH Bahrain
BI Burundi
BJ Benin
BL Saint Barthelemy
BM Bermuda
BN Brunei|Brunei Darussalam
BO Bolivia|Bolivia (Plurinational State of)
BQ Bonaire, Sint Eustatius and Saba
BR Brazil
BS Bahamas|Bahamas, The|The Bahamas
BT Bhutan
BV Bouvet Island
BW Botswana
BY Belarus
BZ Belize
CA Canada
CC Cocos (Keeling) Islands
CD Democratic Republic of the Congo|Congo, Democratic Republic of the|DRC|DR Congo|Zaire
CF Central African Republic|CAR
CG Republic of the Congo|Congo, Republic of the|Congo|Congo-Brazzaville
CH Switzerland
CI Cote d'Ivoire|Cote d Ivoire|Ivory Coast
CK Cook Islands
CL Chile
CM Cameroon
CN China|People's Republic of China|PRC|P.R.C.
CO Colombia
CR Costa Rica
CU Cuba
CV Cabo Verde|Cape Verde
CW Curacao
CX Christmas Island
CY Cyprus
CZ Czechia|Czech Republic
DE Germany|Federal Republic of Germany
DJ Djibouti
DK Denmark
DM Dominica
DO Dominican Republic
DZ Algeria
EC Ecuador
EE Estonia
EG Egypt
EH Western Sahara
ER Eritrea
ES Spain
ET Ethiopia
FI Finland
FJ Fiji
FK Falkland Islands
FM Micronesia|Micronesia, Federated States of
FO Faroe Islands
FR France
GA Gabon
GB United Kingdom|United Kingdom of Great Britain and Northern Ireland|UK|U.K.
GB Great Britain|Britain|England|Scotland|Wales|Northern Ireland
GD Grenada
GE Georgia
GF French Guiana
GG Guernsey
GH Ghana
GI Gibraltar
GL Greenland
GM Gambia|The Gambia|Gambia, The
GN Guinea
GP Guadeloupe
GQ Equatorial Guinea
GR Greece
GS South Georgia and the South Sandwich Islands
GT Guatemala
GU Guam
GW Guinea-Bissau
GY Guyana
HK Hong Kong|China, Hong Kong Special Administrative Region|Hong Kong SAR
HM Heard Island and McDonald Islands
HN Honduras
HR Croatia
HT Haiti
HU Hungary
ID Indonesia
IE Ireland
IL Israel
IM Isle of Man
IN India
IO British Indian Ocean Territory
IQ Iraq
IR Iran|Iran (Islamic Republic of)|Islamic Republic of Iran|Persia
IS Iceland
IT Italy
JE Jersey
JM Jamaica
JO Jordan
JP Japan
KE Kenya
KG Kyrgyzstan|Kyrgyz Republic
KH Cambodia
KI Kiribati
KM Comoros
KN Saint Kitts and Nevis|St. Kitts & Nevis|St. Kitts and Nevis
KP North Korea|Korea, North|Democratic People's Republic of Korea|DPRK|D.P.R.K.
KP Korea, Democratic People's Republic of
KR South Korea|Korea, South|Republic of Korea|Korea, Republic of|Korea
KW Kuwait
KY Cayman Islands
KZ Kazakhstan
LA Laos|Lao People's Democratic Republic|Lao PDR
LB Lebanon
LC Saint Lucia|St. Lucia
LI Liechtenstein
LK Sri Lanka
LR Liberia
LS Lesotho
LT Lithuania
LU Luxembourg
LV Latvia
LY Libya|Libyan Arab Jamahiriya
MA Morocco
MC Monaco
MD Moldova|Republic of Moldova
ME Montenegro
MF Saint Martin
MG Madagascar
MH Marshall Islands
MK North Macedonia|Macedonia
ML Mali
MM Myanmar|Burma
MN Mongolia
MO Macao|Macau|China, Macao Special Administrative Region
MP Northern Mariana Islands
MQ Martinique
MR Mauritania
MS Montserrat
MT Malta
MU Mauritius
MV Maldives
MW Malawi
MX Mexico
MY Malaysia
MZ Mozambique
NA Namibia
NC New Caledonia
NE Niger
NF Norfolk Island
NG Nigeria
NI Nicaragua
NL Netherlands|The Netherlands|Holland
NO Norway
NP Nepal
NR Nauru
NU Niue
NZ New Zealand
OM Oman
PA Panama
PE Peru
PF French Polynesia
PG Papua New Guinea
PH Philippines
PK Pakistan
PL Poland
PM Saint Pierre and Miquelon
PN Pitcairn
PR Puerto Rico
PS Palestine|State of Palestine|Palestinian|Palestinian Territories|West Bank|Gaza|Region: Gaza
PT Portugal
PW Palau
PY Paraguay
QA Qatar
RE Reunion
RO Romania
RS Serbia
RU Russia|Russian Federation
RW Rwanda
SA Saudi Arabia
SB Solomon Islands
SC Seychelles
SD Sudan
SE Sweden
SG Singapore
SH Saint Helena
SI Slovenia
SJ Svalbard and Jan Mayen
SK Slovakia
SL Sierra Leone
SM San Marino
SN Senegal
SO Somalia
SR Suriname
SS South Sudan
ST Sao Tome and Principe
SV El Salvador
SX Sint Maarten
SY Syria|Syrian Arab Republic
SZ Eswatini|Swaziland
TC Turks and Caicos Islands
TD Chad
TF French Southern Territories
TG Togo
TH Thailand
TJ Tajikistan
TK Tokelau
TL Timor-Leste|East Timor
TM Turkmenistan
TN Tunisia
TO Tonga
TR Turkey|Turkiye|Türkiye
TT Trinidad and Tobago
TV Tuvalu
TW Taiwan|Republic of China|Chinese Taipei
TZ Tanzania|United Republic of Tanzania
UA Ukraine|Region: Crimea|Crimea
UG Uganda
UM United States Minor Outlying Islands
US United States|United States of America|USA|U.S.A.|U.S.|America
UY Uruguay
UZ Uzbekistan
VA Holy See|Vatican
VC Saint Vincent and the Grenadines|St. Vincent and the Grenadines
VE Venezuela|Venezuela (Bolivarian Republic of)
VG British Virgin Islands|Virgin Islands, British
VI United States Virgin Islands|Virgin Islands, U.S.
VN Viet Nam|Vietnam
VU Vanuatu
WF Wallis and Futuna
WS Samoa
XK Kosovo
YE Yemen
YT Mayotte
ZA South Africa
ZM Zambia
ZW Zimbabwe
AN Netherlands Antilles
"""


def _build() -> tuple[frozenset[str], dict[str, str]]:
    codes: set[str] = set()
    names: dict[str, str] = {}
    for line in _TABLE.strip().splitlines():
        code, _, rest = line.partition(" ")
        codes.add(code)
        for name in rest.split("|"):
            names[fold(name)] = code
    return frozenset(codes), names


CODES, _NAMES = _build()


def country_code(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code for a code or a country name, or None."""
    stripped = value.strip()
    if len(stripped) == 2 and stripped.upper() in CODES:
        return stripped.upper()
    return _NAMES.get(fold(stripped))
