fn main() -> Result<(), backlinks_functions::Error> {
    backlinks_functions::job("backlink-import")
}
