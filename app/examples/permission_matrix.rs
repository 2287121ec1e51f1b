fn main() {
    print!("{}", app::model::access::matrix_markdown());
}
