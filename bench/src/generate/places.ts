/**
 * Addresses and other demographic vocabularies. Towns and ZIP codes are real so addresses
 * look plausible and geocode to the right area; house numbers and streets are combined at
 * random, and phone numbers use the 555 exchange, so none of it points at a real person.
 */
import { WeightedTable } from './rng.ts';

export interface Town {
  readonly city: string;
  readonly district: string; // county
  readonly state: string;
  readonly zip: string;
  readonly areaCode: string;
}

function towns(state: string, areaCode: string, spec: string): { town: Town; weight: number }[] {
  return spec
    .trim()
    .split('\n')
    .map((line) => {
      const [city = '', district = '', zip = '', weight = '1'] = line.split('|').map((s) => s.trim());
      return { town: { city, district, state, zip, areaCode }, weight: Number(weight) };
    });
}

const MAINE = towns(
  'ME',
  '207',
  `
Portland|Cumberland|04101|68
South Portland|Cumberland|04106|26
Westbrook|Cumberland|04092|20
Scarborough|Cumberland|04074|22
Gorham|Cumberland|04038|18
Windham|Cumberland|04062|19
Falmouth|Cumberland|04105|12
Cape Elizabeth|Cumberland|04107|9
Yarmouth|Cumberland|04096|9
Freeport|Cumberland|04032|8
Brunswick|Cumberland|04011|21
Lewiston|Androscoggin|04240|37
Auburn|Androscoggin|04210|24
Augusta|Kennebec|04330|19
Waterville|Kennebec|04901|16
Winslow|Kennebec|04901|8
Gardiner|Kennebec|04345|6
Hallowell|Kennebec|04347|2
Winthrop|Kennebec|04364|6
Readfield|Kennebec|04355|3
Oakland|Kennebec|04963|6
Belgrade|Kennebec|04917|3
China|Kennebec|04358|4
Vassalboro|Kennebec|04989|4
Sidney|Kennebec|04330|4
Bangor|Penobscot|04401|32
Brewer|Penobscot|04412|9
Orono|Penobscot|04473|11
Old Town|Penobscot|04468|7
Millinocket|Penobscot|04462|4
Biddeford|York|04005|22
Saco|York|04072|20
Sanford|York|04073|21
Kennebunk|York|04043|11
Wells|York|04090|10
Kittery|York|03904|10
York|York|03909|13
Bath|Sagadahoc|04530|8
Topsham|Sagadahoc|04086|9
Skowhegan|Somerset|04976|8
Madison|Somerset|04950|4
Norridgewock|Somerset|04957|3
Farmington|Franklin|04938|7
Rumford|Oxford|04276|6
Norway|Oxford|04268|5
Belfast|Waldo|04915|7
Rockland|Knox|04841|7
Camden|Knox|04843|5
Ellsworth|Hancock|04605|8
Bar Harbor|Hancock|04609|5
Machias|Washington|04654|2
Calais|Washington|04619|3
Houlton|Aroostook|04730|6
Presque Isle|Aroostook|04769|9
Caribou|Aroostook|04736|8
Fort Kent|Aroostook|04743|4
Dexter|Penobscot|04930|4
`,
);

const NEIGHBORS = [
  ...towns('NH', '603', 'Portsmouth|Rockingham|03801|12\nConcord|Merrimack|03301|10\nManchester|Hillsborough|03101|14'),
  ...towns('MA', '617', 'Boston|Suffolk|02108|14\nCambridge|Middlesex|02139|6'),
  ...towns('MA', '508', 'Worcester|Worcester|01608|6'),
  ...towns('VT', '802', 'Burlington|Chittenden|05401|5'),
];

const ALL_TOWNS = [...MAINE, ...NEIGHBORS];
export const TOWNS = new WeightedTable(
  ALL_TOWNS.map((t) => t.town),
  ALL_TOWNS.map((t) => t.weight),
);

export const STREET_NAMES: readonly string[] = (
  'Main Elm Maple Oak Pine Spruce Birch Cedar Chestnut Willow Water Mill River Bridge Church School Park ' +
  'High Pleasant Spring Summer Winter Center Union Franklin Washington Lincoln Jefferson Madison Congress ' +
  'Forest Lake Pond Hill Ridge Meadow Orchard Harbor Ocean Shore Bay Cove Island Lighthouse Granite Quarry ' +
  'Kennebec Androscoggin Penobscot Sebago Katahdin Moosehead Allagash Acadia Casco Saco Presumpscot ' +
  'Blueberry Apple Cranberry Fern Hemlock Tamarack Larch Balsam Juniper Sumac Lilac Rose Clover ' +
  'Academy Depot Ferry Wharf Mast Schooner Pilot Fisherman Sawmill Gristmill Tannery Ledge Brook Falls'
).split(' ');

export const STREET_TYPES = new WeightedTable(
  ['Street', 'Road', 'Avenue', 'Lane', 'Drive', 'Way', 'Court', 'Place', 'Terrace', 'Circle'],
  [40, 30, 10, 8, 6, 2, 2, 1, 1, 1],
);

export const UNIT_PREFIXES: readonly string[] = ['Apt', 'Unit', 'Apt', '#'];

export interface Language {
  readonly code: string;
  readonly display: string;
  readonly text: string;
}

export const LANGUAGES = new WeightedTable<Language>(
  [
    { code: 'en-US', display: 'English (United States)', text: 'English' },
    { code: 'fr', display: 'French', text: 'French' },
    { code: 'es', display: 'Spanish', text: 'Spanish' },
    { code: 'so', display: 'Somali', text: 'Somali' },
    { code: 'ar', display: 'Arabic', text: 'Arabic' },
    { code: 'vi', display: 'Vietnamese', text: 'Vietnamese' },
    { code: 'zh', display: 'Chinese', text: 'Chinese' },
    { code: 'pt', display: 'Portuguese', text: 'Portuguese' },
  ],
  [900, 30, 30, 15, 8, 6, 6, 5],
);

export interface OmbCategory {
  readonly code: string;
  readonly display: string;
}

/** CDC Race & Ethnicity code system (urn:oid:2.16.840.1.113883.6.238) OMB categories. */
export const RACES = new WeightedTable<OmbCategory>(
  [
    { code: '2106-3', display: 'White' },
    { code: '2054-5', display: 'Black or African American' },
    { code: '2028-9', display: 'Asian' },
    { code: '1002-5', display: 'American Indian or Alaska Native' },
    { code: '2076-8', display: 'Native Hawaiian or Other Pacific Islander' },
  ],
  [880, 60, 35, 20, 5],
);

export const HISPANIC: OmbCategory = { code: '2135-2', display: 'Hispanic or Latino' };
export const NOT_HISPANIC: OmbCategory = { code: '2186-5', display: 'Not Hispanic or Latino' };

export interface MaritalStatus {
  readonly code: string;
  readonly display: string;
}

export const MARITAL_ADULT = new WeightedTable<MaritalStatus>(
  [
    { code: 'M', display: 'Married' },
    { code: 'S', display: 'Never Married' },
    { code: 'D', display: 'Divorced' },
    { code: 'W', display: 'Widowed' },
    { code: 'L', display: 'Legally Separated' },
  ],
  [50, 30, 11, 6, 3],
);
export const NEVER_MARRIED: MaritalStatus = { code: 'S', display: 'Never Married' };

export const EMAIL_DOMAINS: readonly string[] = ['example.com', 'example.org', 'example.net', 'mail.example.com'];
