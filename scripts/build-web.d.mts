export declare const WEB_DIST: string;
export declare function webSourceHash(): string;
export declare function buildWeb(opts?: { quiet?: boolean; force?: boolean }): Promise<{ built: boolean; dir: string; skipped?: boolean }>;
