/**
 * Built-in name lists with rough frequency weights (blended across generations, with extra
 * weight on names common in northern New England: French-Canadian surnames, Somali names
 * around Lewiston). Combined at random they name nobody in particular.
 */
import { WeightedTable } from './rng.ts';

/** Parses "Name:weight" tokens; done once at module load, so the hot path only samples. */
function table(spec: string): WeightedTable<string> {
  const names: string[] = [];
  const weights: number[] = [];
  for (const token of spec.trim().split(/\s+/)) {
    const colon = token.lastIndexOf(':');
    names.push(token.slice(0, colon));
    weights.push(Number(token.slice(colon + 1)));
  }
  return new WeightedTable(names, weights);
}

export const FEMALE_GIVEN = table(`
Mary:120 Patricia:60 Jennifer:60 Linda:55 Elizabeth:55 Barbara:50 Susan:48 Jessica:45 Sarah:45 Karen:42
Lisa:40 Nancy:38 Betty:30 Margaret:35 Sandra:33 Ashley:35 Kimberly:33 Emily:40 Donna:30 Michelle:32
Carol:28 Amanda:32 Dorothy:25 Melissa:30 Deborah:28 Stephanie:28 Rebecca:28 Sharon:24 Laura:26 Cynthia:22
Kathleen:24 Amy:24 Angela:22 Shirley:18 Anna:24 Brenda:18 Pamela:18 Emma:40 Nicole:22 Helen:18
Samantha:22 Katherine:22 Christine:20 Debra:18 Rachel:20 Carolyn:16 Janet:16 Catherine:18 Maria:24 Heather:18
Diane:16 Ruth:14 Julie:16 Olivia:38 Joyce:13 Virginia:12 Victoria:16 Kelly:15 Lauren:16 Christina:15
Joan:13 Evelyn:18 Judith:12 Megan:15 Andrea:13 Cheryl:12 Hannah:18 Jacqueline:11 Martha:11 Gloria:10
Teresa:11 Ann:12 Sara:12 Madison:18 Frances:10 Kathryn:10 Janice:10 Jean:11 Abigail:20 Alice:11
Judy:9 Sophia:30 Grace:16 Denise:10 Amber:11 Doris:8 Marilyn:9 Danielle:11 Beverly:8 Isabella:26
Theresa:9 Diana:9 Natalie:13 Brittany:11 Charlotte:28 Marie:10 Kayla:11 Alexis:10 Lori:9 Ava:28
Mia:24 Harper:16 Amelia:22 Ella:14 Avery:12 Scarlett:12 Aria:10 Chloe:14 Lily:14 Zoey:8
Nora:10 Hazel:10 Aurora:8 Riley:9 Violet:9 Stella:8 Lucy:9 Paisley:5 Claire:9 Audrey:8
Leah:9 Addison:8 Brooklyn:8 Savannah:7 Caroline:8 Bella:7 Skylar:6 Layla:9 Eleanor:10 Penelope:7
Gabrielle:7 Nathalie:4 Josée:2 Monique:4 Simone:3 Colette:3 Yvette:3 Jeannine:3 Lucille:5 Rita:6
Irene:6 Norma:6 Phyllis:6 Mildred:5 Lorraine:6 Elaine:7 Bonnie:7 Peggy:5 Wanda:5 Connie:6
Tammy:8 Tina:8 Dawn:7 Tracy:7 Wendy:7 Holly:7 Erin:9 Molly:8 Katie:8 Allison:8
Erica:7 Vanessa:7 Jasmine:8 Destiny:5 Morgan:8 Taylor:9 Madeline:7 Paige:6 Sydney:6 Jenna:6
Fatima:5 Amina:4 Hodan:3 Fadumo:3 Asha:3 Ayaan:2 Hawa:2 Sahra:2 Nasra:2 Ifrah:2
Guadalupe:4 Rosa:5 Ana:6 Carmen:5 Lucia:5 Sofia:8 Valentina:5 Camila:6 Ximena:3 Daniela:5
Mei:3 Linh:3 Thuy:2 Priya:3 Anjali:2 Ji-woo:2 Yuki:2 Nadia:3 Leila:3 Mariam:3
Rowan:4 Willow:6 Ivy:6 Juniper:3 Hope:4 Faith:4 Joy:4 June:4 Mabel:3 Edith:4
`);

export const MALE_GIVEN = table(`
James:110 Robert:105 John:100 Michael:95 David:80 William:75 Richard:60 Joseph:58 Thomas:55 Charles:50
Christopher:48 Daniel:48 Matthew:42 Anthony:35 Mark:35 Donald:30 Steven:32 Paul:30 Andrew:30 Joshua:30
Kenneth:25 Kevin:25 Brian:25 George:24 Timothy:22 Ronald:22 Edward:20 Jason:22 Jeffrey:20 Ryan:20
Jacob:24 Gary:18 Nicholas:20 Eric:18 Jonathan:18 Stephen:17 Larry:15 Justin:16 Scott:16 Brandon:16
Benjamin:22 Samuel:18 Gregory:14 Alexander:18 Frank:13 Patrick:14 Raymond:12 Jack:18 Dennis:11 Jerry:11
Tyler:13 Aaron:12 Jose:12 Adam:12 Nathan:12 Henry:18 Douglas:10 Zachary:11 Peter:11 Kyle:11
Noah:30 Ethan:22 Jeremy:10 Walter:9 Christian:10 Keith:9 Roger:9 Terry:8 Austin:10 Sean:10
Gerald:8 Carl:8 Harold:8 Dylan:10 Arthur:8 Lawrence:7 Jordan:9 Jesse:8 Bryan:8 Billy:6
Bruce:7 Gabriel:10 Joe:6 Logan:11 Alan:7 Juan:9 Albert:7 Willie:5 Elijah:16 Wayne:6
Randy:6 Vincent:6 Mason:14 Roy:6 Ralph:5 Bobby:5 Russell:5 Bradley:6 Philip:6 Eugene:5
Liam:30 Oliver:24 Lucas:18 Levi:10 Sebastian:10 Mateo:10 Jackson:12 Owen:12 Wyatt:10 Leo:12
Grayson:7 Hudson:7 Theodore:12 Asher:7 Carter:7 Julian:8 Luke:10 Isaac:9 Lincoln:6 Caleb:9
Hunter:8 Connor:7 Landon:6 Cameron:7 Eli:7 Colton:5 Ian:6 Evan:7 Cole:6 Chase:5
Marcel:4 Normand:4 Gaétan:2 Réal:2 Luc:3 Andre:5 Rene:5 Armand:4 Gilles:3 Lucien:3
Maurice:5 Roland:5 Laurent:2 Emile:3 Alphonse:2 Denis:3 Yves:2 Jacques:3 Pierre:3 Guy:4
Earl:6 Howard:5 Fred:6 Clarence:4 Stanley:5 Herbert:4 Leonard:6 Norman:6 Ernest:5 Francis:6
Dale:6 Glenn:6 Wesley:5 Travis:6 Shane:5 Derek:6 Corey:6 Marcus:5 Cody:6 Trevor:5
Mohamed:6 Abdi:4 Hassan:3 Ahmed:4 Abdirahman:2 Omar:4 Yusuf:3 Ali:4 Abdullahi:2 Farah:2
Carlos:6 Luis:6 Miguel:5 Diego:4 Santiago:4 Alejandro:4 Javier:3 Rafael:3 Mateus:1 Emiliano:2
Minh:2 Hung:2 Wei:2 Hiroshi:1 Raj:2 Arjun:2 Min-jun:2 Tuan:2 Kofi:1 Kwame:1
Silas:5 Ezra:6 Miles:6 Jasper:4 Finn:5 Rhett:2 Abel:3 Emmett:4 Beau:3 Calvin:5
`);

export const FAMILY = table(`
Smith:100 Johnson:80 Williams:65 Brown:62 Jones:58 Miller:52 Davis:50 Wilson:38 Anderson:36 Taylor:35
Thomas:34 Moore:32 Jackson:30 Martin:45 Lee:30 Thompson:28 White:28 Harris:26 Clark:25 Lewis:24
Robinson:22 Walker:22 Young:20 Allen:20 King:20 Wright:20 Scott:18 Green:18 Baker:18 Adams:18
Nelson:17 Hill:17 Campbell:16 Mitchell:16 Roberts:16 Carter:16 Phillips:15 Evans:15 Turner:15 Parker:15
Collins:15 Edwards:14 Stewart:14 Morris:14 Murphy:16 Cook:13 Rogers:13 Morgan:13 Cooper:13 Peterson:12
Bailey:12 Reed:12 Kelly:14 Howard:11 Cox:11 Ward:11 Richardson:11 Watson:10 Brooks:10 Wood:11
James:10 Bennett:10 Gray:10 Hughes:10 Price:9 Sanders:9 Myers:9 Long:9 Ross:9 Foster:9
Powell:8 Jenkins:8 Perry:9 Russell:8 Sullivan:10 Bell:8 Coleman:7 Butler:7 Henderson:7 Barnes:7
Fisher:7 Hayes:7 Graham:7 Wallace:7 Reynolds:7 West:6 Cole:7 Marshall:7 Ellis:6 Stevens:7
Tucker:6 Porter:6 Hunter:6 Hicks:6 Crawford:6 Boyd:6 Mason:6 Warren:6 Dixon:5 Burns:6
Gordon:6 Shaw:6 Holmes:5 Rice:5 Robertson:5 Hunt:5 Black:5 Daniels:5 Palmer:5 Mills:5
Grant:5 Knight:5 Ferguson:5 Stone:5 Hawkins:5 Dunn:5 Perkins:5 Hudson:5 Spencer:5 Stephens:5
Pierce:5 Berry:5 Matthews:5 Arnold:5 Wagner:5 Willis:4 Ray:4 Watkins:4 Olson:5 Carroll:5
Duncan:4 Snyder:5 Hart:4 Cunningham:4 Bradley:4 Lane:4 Andrews:4 Harper:4 Fox:4 Riley:4
Armstrong:4 Carpenter:4 Weaver:4 Greene:4 Lawrence:4 Elliott:4 Chapman:4 Oliver:4 Montgomery:3 Richards:4
Webb:4 Tyler:3 Schmidt:4 Hanson:3 Walsh:5 Fitzgerald:4 McCarthy:5 O'Brien:5 O'Connor:4 Doyle:4
Flaherty:3 Gallagher:4 Keegan:2 Callahan:3 Murray:4 Quinn:3 Brennan:3 Donovan:3 Foley:3 Hurley:2
Pelletier:10 Thibodeau:8 Michaud:9 Cyr:7 Ouellette:9 Dube:8 Levesque:9 Lévesque:2 Gagnon:9 Theriault:8
Bouchard:7 Roy:8 Morin:7 Fortin:6 Poulin:7 Caron:6 Cote:7 Côté:2 Gagne:6 Jalbert:4
Violette:4 Daigle:6 Bolduc:5 Nadeau:6 Beaulieu:6 Boucher:6 Paradis:5 Plourde:5 Pinette:3 Albert:5
Chasse:3 Dionne:4 Gendron:4 Lavoie:5 Lapointe:5 Leclerc:5 Bélanger:2 Belanger:5 Desjardins:4 Fournier:5
Gauthier:5 Girard:5 Hebert:6 Lachance:4 Lambert:5 Lemieux:4 Pelkey:3 Poirier:5 Rioux:4 Tardif:3
Bragdon:2 Brackett:2 Littlefield:3 Libby:4 Hamlin:2 Chamberlain:3 Knowlton:2 Sawyer:3 Thurlow:2 Grindle:2
Haskell:3 Hatch:3 Whitten:2 Crockett:2 Tibbetts:2 Dyer:3 Hinckley:2 Merrill:3 Pendleton:2 Stanley:3
Garcia:20 Rodriguez:18 Martinez:18 Hernandez:16 Lopez:16 Gonzalez:15 Perez:12 Sanchez:11 Ramirez:11 Torres:10
Flores:9 Rivera:10 Gomez:8 Diaz:8 Cruz:7 Reyes:7 Morales:7 Ortiz:6 Gutierrez:5 Chavez:5
Ramos:5 Ruiz:5 Alvarez:5 Mendoza:4 Castillo:4 Jimenez:4 Vasquez:4 Romero:4 Herrera:4 Medina:4
Nguyen:12 Tran:6 Le:4 Pham:4 Chen:8 Wang:7 Li:6 Zhang:5 Liu:4 Huang:3
Kim:8 Park:5 Choi:2 Patel:10 Shah:4 Singh:6 Kumar:4 Khan:5 Tanaka:2 Yamamoto:2
Mohamed:5 Hassan:4 Ali:5 Abdi:4 Ahmed:4 Osman:3 Warsame:2 Farah:3 Nur:2 Jama:2
Mbeki:1 Okafor:2 Mensah:2 Nkosi:1 Kamara:2 Diallo:2 Haddad:2 Nasser:2 Khalil:2 Mansour:1
Kowalski:3 Nowak:2 Novak:2 Kovacs:2 Ivanov:2 Petrov:1 Rossi:3 Russo:3 Romano:2 Esposito:2
Muller:3 Schneider:3 Fischer:3 Weber:3 Becker:3 Hoffman:4 Schultz:3 Keller:3 Larsen:3 Johansson:2
Lindqvist:1 Eriksen:2 Nilsen:2 Jensen:3 Nielsen:3 Berg:3 Dahl:2 Holm:2 Lund:2 Strand:2
`);

export const NAME_SUFFIXES: readonly string[] = ['Jr.', 'Sr.', 'II', 'III'];

/** Lower-case ASCII for e-mail local parts ("Côté" -> "cote", "O'Brien" -> "obrien"). */
export function emailPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}
