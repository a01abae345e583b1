/**
 * Given-name equivalence classes: formal names and their common English diminutives, written
 * for this project from general knowledge of US naming (no external list copied). A name may
 * sit in several classes ("chris" is Christopher, Christine and Christina), so equivalence is
 * "shares a class", not "has the same canonical form".
 */
const GROUPS = `
abigail abby abbie gail
abraham abe bram
adam ade
adrian adrien ade
albert al bert bertie
alexander alex alec al lex sandy xander sasha
alexandra alex alexa lexi sandra sandy sasha
alexis alex lexi
alfred al alf alfie fred freddie
alice allie ally
alicia allie ally lisa
allison allie ally alison
amanda mandy manda amy
amelia amy millie mel
andrew andy drew andre
angela angie angel
anna ann anne annie nan nancy hannah
anthony tony ant
antoinette toni netta
arthur art artie
barbara barb barbie babs bobbie
benjamin ben benny benji
bernard bernie
beverly bev
bradley brad
brian bryan
caroline carol carrie lina
catherine cathy cath kate katie kathy cat cate kat katherine kathryn
charles charlie chuck chas chaz
charlotte charlie lottie char
christina chris tina christine chrissy kristina
christine chris chrissy tina kristine
christopher chris topher kit christoph
clarence clare
cynthia cindy
daniel dan danny
danielle dani danny
david dave davey
deborah debbie deb debra debby
denise denny
dennis denny
donald don donnie
dorothy dot dottie dolly
douglas doug
edward ed eddie ted teddy ned
edwin ed eddie
elizabeth liz lizzie beth betty betsy eliza elisa libby bess bessie lisa elise ellie
eleanor ellie nora nell ella
emily em emmy millie
emma em emmy
eugene gene
evelyn evie eve
francis frank frankie fran
frances fran frannie frankie
franklin frank frankie
frederick fred freddie fritz
gabriel gabe
gabrielle gabby gaby
gerald gerry jerry
geraldine gerry dina
gilbert gil bert
gregory greg
harold hal harry
harriet hattie
helen nell ellie
henry hank harry hal
herbert herb bert
howard howie
isaac ike
isabella bella izzy isabel belle
jacob jake jay
jacqueline jackie jacquie
james jim jimmy jamie jimbo
janet jan jenny
jane janie jenny
jeffrey jeff geoffrey geoff
jennifer jen jenny jenn
jeremy jerry
jessica jess jessie
joan joanie
john jack johnny jon
jonathan jon jonny nathan john
joseph joe joey jo
josephine jo josie
joshua josh
joyce joy
judith judy jude
julia julie jules
julian jules
justin justy
katherine kate katie kathy kat kay kit
kathleen kathy kate katie
kenneth ken kenny
kimberly kim kimmy
lawrence larry laurie lorenzo
laura laurie lori
leonard len lenny leo
leslie les
lillian lily lil
louis lou lewis
louise lou lulu
lucille lucy
lucas luke
madeline maddie maddy madelyn
margaret maggie meg peggy marge margie greta maisie molly daisy peg
marilyn lynn
martha marty mattie patty
martin marty
mary mae molly polly mamie maria marie
matthew matt matty
melissa mel missy lissa
michael mike mikey mick mickey
michelle shelly michele
mildred millie
miranda randi mandy
mitchell mitch
nancy nan ann
natalie nat tally
nathan nate nat
nathaniel nate nat nathan
nicholas nick nicky nico
nicole nikki nicky
norman norm
oliver ollie
olivia liv livvy ollie
pamela pam
patricia pat patty trish tricia patsy
patrick pat paddy rick
peter pete
philip phil pip phillip
phyllis phyl
priscilla cilla prissy
rachel rae
raymond ray
rebecca becky becca reba
richard rick ricky dick rich richie
robert bob bobby rob robbie bert
roberta bobbie robbie
ronald ron ronnie
rosalind roz
rosemary rose rosie
russell russ
samantha sam sammy
samuel sam sammy
sandra sandy
sarah sara sally sadie
sharon shari
shirley shirl
sophia sophie
stanley stan
stephanie steph stevie
stephen steve stevie steven
steven steve stevie stephen
susan sue susie suzy suzanne
suzanne sue susie suzy
sylvester sly
terrence terry
teresa terri tess tessa theresa tracy
theodore ted teddy theo
thomas tom tommy
timothy tim timmy
tobias toby
valerie val
vanessa nessa
veronica ronnie ronica
victor vic
victoria vicky tori vicki
vincent vince vinny
virginia ginny ginger
walter walt wally
wesley wes
william will bill billy willie liam
winifred winnie
zachary zach zack
abdirahman abdi
abdullahi abdi
mohamed mohammed muhammad mohammad
fadumo faduma fatima
jose pepe
guadalupe lupe
francisco paco pancho
alejandro alex
santiago santi
`;

/** name -> indices of the classes it belongs to. */
const CLASSES = new Map<string, number[]>();

GROUPS.trim()
  .split('\n')
  .forEach((line, index) => {
    for (const name of line.trim().split(/\s+/)) {
      const list = CLASSES.get(name);
      if (list === undefined) CLASSES.set(name, [index]);
      else if (!list.includes(index)) list.push(index);
    }
  });

/** True when a and b (normalized, lower-case) are the same name or share a nickname class. */
export function areNicknames(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = CLASSES.get(a);
  const cb = CLASSES.get(b);
  if (ca === undefined || cb === undefined) return false;
  for (const x of ca) if (cb.includes(x)) return true;
  return false;
}

/** Number of name pairs the table makes equivalent (for documentation and tests). */
export function nicknamePairCount(): number {
  const groups = GROUPS.trim().split('\n');
  let n = 0;
  for (const g of groups) {
    const k = g.trim().split(/\s+/).length;
    n += (k * (k - 1)) / 2;
  }
  return n;
}
