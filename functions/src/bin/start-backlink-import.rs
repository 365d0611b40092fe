fn main() -> Result<(), backlinks_functions::Error> {
    backlinks_functions::http_route("startBacklinkImport")
}
